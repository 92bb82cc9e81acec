"""S3 Select's error codes: none is in S3's botocore model, so each is declared by hand with
the sentence S3 answers it with, joined to S3's own classes. All are client errors (HTTP 400):
sent as the answer when found before the stream starts, as its last message after that."""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.errors import declare, model_errors

_MESSAGES = {
    # The request's shape.
    "MissingRequiredParameter":
        "The SelectRequest entity is missing a required parameter. Check the service documentation and try again.",
    "InvalidExpressionType": "The ExpressionType is invalid. Only SQL expressions are supported.",
    "InvalidDataSource": "Invalid data source type. Only CSV, JSON, and Parquet are supported.",
    "InvalidCompressionFormat":
        "The file is not in a supported compression format. Only GZIP and BZIP2 are supported.",
    "InvalidFileHeaderInfo": "The FileHeaderInfo is invalid. Only NONE, USE, and IGNORE are supported.",
    "InvalidJsonType": "The JsonType is invalid. Only DOCUMENT and LINES are supported.",
    "InvalidQuoteFields": "The QuoteFields is invalid. Only ALWAYS and ASNEEDED are supported.",
    "InvalidRequestParameter":
        "The value of a parameter in SelectRequest element is invalid. Check the service documentation and try again.",
    "ObjectSerializationConflict":
        "InputSerialization specifies more than one format (CSV, JSON, or Parquet), or OutputSerialization "
        "specifies more than one format (CSV or JSON). InputSerialization and OutputSerialization can only "
        "specify one format each.",
    "UnsupportedScanRangeInput":
        "Scan range queries are not supported on this type of object.",
    "ExpressionTooLong":
        "The SQL expression is too long: The maximum byte-length for an SQL expression is 256 KB.",
    # The SQL text.
    "LexerInvalidChar": "The SQL expression contains an invalid character.",
    "LexerInvalidLiteral": "The SQL expression contains an invalid literal.",
    "ParseUnexpectedToken": "The SQL expression contains an unexpected token.",
    "ParseExpectedExpression": "Did not find the expected SQL expression.",
    "ParseExpectedKeyword": "Did not find the expected keyword in the SQL expression.",
    "ParseExpectedTypeName": "Did not find the expected type name in the SQL expression.",
    "ParseExpectedNumber": "Did not find the expected number in the SQL expression.",
    "ParseExpectedIdentForAlias": "Did not find the expected identifier for the alias in the SQL expression.",
    "ParseExpectedLeftParenAfterCast":
        "Did not find the expected left parenthesis after CAST in the SQL expression.",
    "ParseExpectedRightParenBuiltinFunctionCall":
        "Did not find the expected right parenthesis character in the SQL expression.",
    "ParseEmptySelect": "The SQL expression contains an empty SELECT.",
    "ParseSelectMissingFrom": "The SQL expression contains a missing FROM after SELECT list.",
    "ParseAsteriskIsNotAloneInSelectList":
        "Other expressions are not allowed in the SELECT list when '*' is used without dot notation in the "
        "SQL expression.",
    "ParseInvalidPathComponent": "The SQL expression contains an invalid path component.",
    "ParseUnsupportedCallWithStar": "Only COUNT with (*) as a parameter is supported in the SQL expression.",
    "UnsupportedSyntax": "The SQL expression contains unsupported syntax.",
    "UnsupportedFunction": "Encountered an unsupported SQL function.",
    "InvalidTableAlias": "The SQL expression contains an invalid table alias.",
    "InvalidColumnIndex": "The column index is invalid. Please check the service documentation and try again.",
    "EvaluatorInvalidArguments": "Incorrect number of arguments in the function call in the SQL expression.",
    "IncorrectSqlFunctionArgumentType": "Incorrect type of arguments in function call in the SQL expression.",
    "ParseNonUnaryAgregateFunctionCall":  # sic: AWS's spelling
        "Only one argument is supported for aggregate functions in the SQL expression.",
    "EvaluatorNegativeLimit": "The LIMIT clause in the SQL expression must not be negative.",
    "EvaluatorInvalidTimestampFormatPattern":
        "Invalid time stamp format string in the SQL expression.",
    # Evaluation.
    "CastFailed": "Attempt to convert from one data type to another using CAST failed in the SQL expression.",
    "ValueParseFailure": "Time stamp parse failure in the SQL expression.",
    "LikeInvalidInputs": "Invalid argument given to the LIKE clause in the SQL expression.",
    "IntegerOverflow": "Integer overflow or underflow in the SQL expression.",
    "DivisionByZero": "Division by zero in the SQL expression.",
    "InvalidTextEncoding": "Invalid encoding type. Only UTF-8 encoding is supported.",
    "CSVParsingError": "Encountered an error parsing the CSV file. Check the file and try again.",
    "JSONParsingError": "Encountered an error parsing the JSON file. Check the file and try again.",
    "ParquetParsingError": "Encountered an error parsing the Parquet file. Check the file and try again.",
    "ParquetUnsupportedCompressionCodec": "The specified Parquet compression codec is not supported.",
    "UnsupportedParquetType": "The specified Parquet type is not supported.",
    "OverMaxRecordSize":
        "The length of a record in the input or result is greater than the maxCharsPerRecord limit of 1 MB.",
}

errors = model_errors("s3").extended(*(declare(code, 400, text) for code, text in _MESSAGES.items()))


def select_error(code: str, message: str = "") -> ServiceError:
    """The error S3 Select answers with ``code`` (its fixed sentence unless ``message``)."""
    return getattr(errors, code)(message)  # type: ignore[no-any-return]
