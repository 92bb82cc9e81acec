"""S3 Select (SelectObjectContent): the SQL dialect (``lexer``, ``parser``, ``nodes``), its
values and functions (``values``, ``functions``), the compiled query (``evaluate``), input and
output formats (``formats``) and one request run end to end (``engine``)."""
