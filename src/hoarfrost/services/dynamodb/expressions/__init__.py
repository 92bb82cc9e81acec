"""DynamoDB's expression language: tokenizer, parser (cached by text), condition and projection
evaluation, and update application."""
