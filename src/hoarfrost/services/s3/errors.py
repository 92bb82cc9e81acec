"""S3's error codes, one class per code with the status S3 answers it with.

Extra members S3 puts in the error body (``BucketName``, ``Key``, ``UploadId``...) are passed
as ``ServiceError`` fields at the raise site: ``NoSuchBucket(..., BucketName=name)``.
"""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError


def _error(code: str, status: int, default_message: str) -> type[ServiceError]:
    def __init__(self: ServiceError, message: str = "", **fields: object) -> None:
        ServiceError.__init__(self, message or default_message, **fields)  # type: ignore[arg-type]

    return type(code, (ServiceError,), {"code": code, "status": status, "__init__": __init__,
                                        "__doc__": f"S3 {code} ({status})."})


NoSuchBucket = _error("NoSuchBucket", 404, "The specified bucket does not exist")
NoSuchKey = _error("NoSuchKey", 404, "The specified key does not exist.")
NoSuchVersion = _error("NoSuchVersion", 404, "The specified version does not exist.")
NoSuchUpload = _error("NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid, "
                      "or the upload may have been aborted or completed.")
BucketAlreadyOwnedByYou = _error("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named "
                                 "bucket succeeded and you already own it.")
BucketAlreadyExists = _error("BucketAlreadyExists", 409, "The requested bucket name is not available. The bucket "
                             "namespace is shared by all users of the system. Please select a different name "
                             "and try again.")
BucketNotEmpty = _error("BucketNotEmpty", 409, "The bucket you tried to delete is not empty")
InvalidBucketName = _error("InvalidBucketName", 400, "The specified bucket is not valid.")
InvalidPart = _error("InvalidPart", 400, "One or more of the specified parts could not be found. The part may "
                     "not have been uploaded, or the specified entity tag may not match the part's entity tag.")
InvalidPartOrder = _error("InvalidPartOrder", 400, "The list of parts was not in ascending order. The parts list "
                          "must be specified in order by part number.")
EntityTooSmall = _error("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed size")
PreconditionFailed = _error("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold")
NotModified = _error("NotModified", 304, "Not Modified")
InvalidRange = _error("InvalidRange", 416, "The requested range is not satisfiable")
BadDigest = _error("BadDigest", 400, "The Content-MD5 you specified did not match what we received.")
InvalidDigest = _error("InvalidDigest", 400, "The Content-MD5 you specified is not valid.")
InvalidArgument = _error("InvalidArgument", 400, "Invalid Argument")
InvalidRequest = _error("InvalidRequest", 400, "Invalid Request")
MalformedXML = _error("MalformedXML", 400, "The XML you provided was not well-formed or did not validate "
                      "against our published schema")
MalformedPolicy = _error("MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'")
InvalidTag = _error("InvalidTag", 400, "The TagKey you have provided is invalid")
InvalidLocationConstraint = _error("InvalidLocationConstraint", 400, "The specified location-constraint is not valid")
IllegalLocationConstraintException = _error(
    "IllegalLocationConstraintException", 400,
    "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
KeyTooLongError = _error("KeyTooLongError", 400, "Your key is too long")
MethodNotAllowed = _error("MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
InvalidObjectState = _error("InvalidObjectState", 403, "The operation is not valid for the object's storage class")
AccessDenied = _error("AccessDenied", 403, "Access Denied")
InvalidBucketState = _error("InvalidBucketState", 409, "The request is not valid with the current state of the bucket.")
NoSuchTagSet = _error("NoSuchTagSet", 404, "The TagSet does not exist")
NoSuchCORSConfiguration = _error("NoSuchCORSConfiguration", 404, "The CORS configuration does not exist")
NoSuchLifecycleConfiguration = _error("NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist")
NoSuchBucketPolicy = _error("NoSuchBucketPolicy", 404, "The bucket policy does not exist")
ServerSideEncryptionConfigurationNotFoundError = _error(
    "ServerSideEncryptionConfigurationNotFoundError", 404, "The server side encryption configuration was not found")
NoSuchWebsiteConfiguration = _error("NoSuchWebsiteConfiguration", 404, "The specified bucket does not have a "
                                    "website configuration")
OwnershipControlsNotFoundError = _error("OwnershipControlsNotFoundError", 404, "The bucket ownership controls "
                                        "were not found")
NoSuchPublicAccessBlockConfiguration = _error("NoSuchPublicAccessBlockConfiguration", 404, "The public access "
                                              "block configuration was not found")
ObjectLockConfigurationNotFoundError = _error("ObjectLockConfigurationNotFoundError", 404, "Object Lock "
                                              "configuration does not exist for this bucket")
ReplicationConfigurationNotFoundError = _error("ReplicationConfigurationNotFoundError", 404, "The replication "
                                               "configuration was not found")
NoSuchConfiguration = _error("NoSuchConfiguration", 404, "The specified configuration does not exist.")
NoSuchObjectLockConfiguration = _error("NoSuchObjectLockConfiguration", 404, "The specified object does not have "
                                       "a ObjectLock configuration")
IncompleteBody = _error("IncompleteBody", 400, "You did not provide the number of bytes specified by the "
                        "Content-Length HTTP header")
InvalidStorageClass = _error("InvalidStorageClass", 400, "The storage class you specified is not valid")
AccessControlListNotSupported = _error("AccessControlListNotSupported", 400, "The bucket does not allow ACLs")
InvalidBucketAclWithObjectOwnership = _error("InvalidBucketAclWithObjectOwnership", 400, "Bucket cannot have ACLs "
                                             "set with ObjectOwnership's BucketOwnerEnforced setting")
