"""S3's errors: the model's, the many codes S3 sends without modelling them, and the fixed
sentence S3 answers each code with when the raise site gives none.

Extra members S3 puts in the error body (``BucketName``, ``Key``, ``UploadId``...) are passed
as ``ServiceError`` fields at the raise site: ``errors.NoSuchBucket(BucketName=name)``.
"""

from __future__ import annotations

from hoarfrost.core.kit.errors import declare, model_errors

errors = model_errors("s3").extended(
    declare("NoSuchVersion", 404, "The specified version does not exist."),
    declare("BucketNotEmpty", 409, "The bucket you tried to delete is not empty"),
    declare("InvalidBucketName", 400, "The specified bucket is not valid."),
    declare("InvalidPart", 400,
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or "
            "the specified entity tag may not match the part's entity tag."),
    declare("InvalidPartOrder", 400,
            "The list of parts was not in ascending order. Parts must be ordered by part number."),
    declare("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed size"),
    declare("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold"),
    declare("NotModified", 304, "Not Modified"),
    declare("InvalidPartNumber", 416, "The requested partnumber is not satisfiable"),
    declare("InvalidRange", 416, "The requested range is not satisfiable"),
    declare("BadDigest", 400, "The Content-MD5 you specified did not match what we received."),
    declare("InvalidDigest", 400, "The Content-MD5 you specified is not valid."),
    declare("InvalidArgument", 400, "Invalid Argument"),
    declare("MalformedXML", 400,
            "The XML you provided was not well-formed or did not validate against our published schema"),
    declare("MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'"),
    declare("BadRequest", 400, "Bad Request"),
    declare("InvalidTag", 400, "The TagKey you have provided is invalid"),
    declare("InvalidLocationConstraint", 400, "The specified location-constraint is not valid"),
    declare("IllegalLocationConstraintException", 400,
            "The unspecified location constraint is incompatible for the region specific endpoint this request "
            "was sent to."),
    declare("KeyTooLongError", 400, "Your key is too long"),
    declare("MethodNotAllowed", 405, "The specified method is not allowed against this resource."),
    declare("InvalidBucketState", 409, "The request is not valid with the current state of the bucket."),
    declare("NoSuchTagSet", 404, "The TagSet does not exist"),
    declare("NoSuchCORSConfiguration", 404, "The CORS configuration does not exist"),
    declare("NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist"),
    declare("NoSuchBucketPolicy", 404, "The bucket policy does not exist"),
    declare("ServerSideEncryptionConfigurationNotFoundError", 404,
            "The server side encryption configuration was not found"),
    declare("NoSuchWebsiteConfiguration", 404, "The specified bucket does not have a website configuration"),
    declare("OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found"),
    declare("NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found"),
    declare("ObjectLockConfigurationNotFoundError", 404, "Object Lock configuration does not exist for this bucket"),
    declare("ReplicationConfigurationNotFoundError", 404, "The replication configuration was not found"),
    declare("NoSuchConfiguration", 404, "The specified configuration does not exist."),
    declare("NoSuchObjectLockConfiguration", 404, "The specified object does not have a ObjectLock configuration"),
    declare("IncompleteBody", 400,
            "You did not provide the number of bytes specified by the Content-Length HTTP header"),
    declare("AuthorizationQueryParametersError", 400, "Query-string authentication requires X-Amz-Expires"),
    declare("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size"),
    declare("InvalidPolicyDocument", 400, "The content of the form does not meet the conditions specified in the "
                                          "policy document."),
    declare("MissingSecurityHeader", 400, "Your request was missing a required header"),
    declare("MissingRequestBodyError", 400, "Request Body is empty"),
    declare("InvalidStorageClass", 400, "The storage class you specified is not valid"),
    declare("AccessControlListNotSupported", 400, "The bucket does not allow ACLs"),
    declare("InvalidBucketAclWithObjectOwnership", 400,
            "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"),
    messages={
        "NoSuchBucket": "The specified bucket does not exist",
        "NoSuchKey": "The specified key does not exist.",
        "NoSuchUpload":
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
            "aborted or completed.",
        "BucketAlreadyOwnedByYou":
            "Your previous request to create the named bucket succeeded and you already own it.",
        "BucketAlreadyExists":
            "The requested bucket name is not available. The bucket namespace is shared by all users of the "
            "system. Please select a different name and try again.",
        "InvalidRequest": "Invalid Request",
        "InvalidObjectState": "The operation is not valid for the object's storage class",
        "AccessDenied": "Access Denied",
        "ObjectNotInActiveTierError":
            "The source object of the COPY action is not in the active tier and is only stored in Amazon Glacier.",
    },
)
