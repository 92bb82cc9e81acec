"""A service's error classes, generated once from the error shapes of its botocore model.

The model already says, for every error a service declares, its wire code, HTTP status and
fault; writing a class per code by hand repeats that and drifts from it. So each service gets
its classes from the model::

    errors = model_errors("sqs")
    raise errors.QueueDoesNotExist("The specified queue does not exist.")

Attributes are the error shapes' names, so a raise site can be checked against the model; a
name the model lacks raises ``AttributeError`` at once instead of sending a made-up code. The
few codes a service sends without modelling them are declared by hand in its ``errors.py``
with ``declare`` and joined to the model's with ``ServiceErrors.extended``.

Models are read after ``core.spec_patches`` corrected them, which is how SQS's query codes
(``AWS.SimpleQueueService.NonExistentQueue``) and statuses reach its classes.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from botocore.model import ServiceModel, Shape

from hoarfrost.core import catalog
from hoarfrost.core.errors import ServiceError


class ServiceErrors:
    """One service's error classes by name: the model's (named after their shapes) and those
    declared by hand (named after their codes)."""

    __slots__ = ("service", "declared", "_classes")

    def __init__(self, service: str, classes: Mapping[str, type[ServiceError]],
                 declared: tuple[type[ServiceError], ...] = ()) -> None:
        self.service = service
        # The hand-declared classes, so a test can flag any that a newer model now carries.
        self.declared = declared
        self._classes = dict(classes)

    def __getattr__(self, name: str) -> type[ServiceError]:
        if name.startswith("_"):  # never a shape name; keeps copy/pickle probes out of the table
            raise AttributeError(name)
        found = self._classes.get(name)
        if found is None:
            raise AttributeError(self._unknown(name))
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __dir__(self) -> list[str]:
        return sorted({*object.__dir__(self), *self._classes})

    def __repr__(self) -> str:
        return f"<ServiceErrors {self.service}: {len(self._classes)} classes>"

    def _unknown(self, name: str) -> str:
        message = f"{self.service!r} has no error {name!r} in its model nor declared by hand"
        for shape_name, cls in self._classes.items():
            if name in (cls.code, cls.query_code):
                return f"{message}; the model names the shape for that code {shape_name!r}"
        return message

    def extended(self, *declared: type[ServiceError], messages: Mapping[str, str] | None = None) -> ServiceErrors:
        """These classes plus ``declared`` (made with ``declare``), with a default message for
        some of the model's classes (``messages``: shape name -> text).

        A declared class wins over a model class of the same name, so a botocore release that
        starts modelling a code breaks nothing; ``tests/core/kit`` reports such a class."""
        classes = dict(self._classes)
        for name, message in (messages or {}).items():
            base = self.__getattr__(name)
            classes[name] = _error_class(name, base.code, base.status or 400, sender_fault=base.sender_fault,
                                         query_code=base.query_code, default_message=message,
                                         doc=base.__doc__, base=base)
        for cls in declared:
            classes[cls.__name__] = cls
        return ServiceErrors(self.service, classes, self.declared + declared)


def declare(code: str, status: int, default_message: str = "", *, query_code: str | None = None,
            sender_fault: bool | None = None) -> type[ServiceError]:
    """An error class for a code the service sends but its model lacks, named after the code.

    ``query_code``: the code a query-compatible service sends on its query wire, when it differs."""
    fault = status < 500 if sender_fault is None else sender_fault
    return _error_class(code, code, status, sender_fault=fault, query_code=query_code,
                        default_message=default_message, doc=f"{code} (HTTP {status}), declared by hand: "
                        "the service sends it without modelling it.")


_built: dict[str, ServiceErrors] = {}
_lock = threading.Lock()


def model_errors(service: str) -> ServiceErrors:
    """The error classes of a botocore service's (patched) model, built once per process.

    Once, not once per call: a class raised in one module must be the class another module
    catches."""
    errors = _built.get(service)
    if errors is None:
        with _lock:
            errors = _built.get(service)
            if errors is None:
                errors = _built[service] = _from_model(catalog.service_model(service))
    return errors


def _from_model(model: ServiceModel) -> ServiceErrors:
    classes: dict[str, type[ServiceError]] = {}
    for shape in model.error_shapes:
        if shape.name not in classes:
            classes[shape.name] = shape_error_class(model, shape)
    return ServiceErrors(model.service_name, classes)


def shape_error_class(model: ServiceModel, shape: Shape) -> type[ServiceError]:
    """The class of one error shape.

    ``code`` is what the service's own wire carries: the shape's ``error.code`` (SNS's
    ``NotFoundException`` sends ``NotFound``), else its name. An awsQueryCompatible service is
    the exception: its wire is json, whose ``__type`` is the shape name, and ``error.code`` is
    the query-era code, kept as ``query_code`` for ``x-amzn-query-error`` and the query wire."""
    error = shape.metadata.get("error", {})
    # botocore's Shape.metadata leaves out the model's "fault" flag (a server-side error).
    server_fault = bool(shape._shape_model.get("fault")) or error.get("senderFault") is False
    status = int(error.get("httpStatusCode") or (500 if server_fault else 400))
    modelled_code = error.get("code")
    if "awsQueryCompatible" in model.metadata:
        code, query_code = shape.name, modelled_code
    else:
        code, query_code = modelled_code or shape.name, None
    doc = f"{model.service_name} {shape.name}: {code} (HTTP {status}), from botocore's model."
    return _error_class(shape.name, code, status, sender_fault=not server_fault and status < 500,
                        query_code=query_code, default_message="", doc=doc)


def _error_class(name: str, code: str, status: int, *, sender_fault: bool, query_code: str | None,
                 default_message: str, doc: str | None, base: type[ServiceError] = ServiceError
                 ) -> type[ServiceError]:
    attributes = {
        "code": code, "status": status, "sender_fault": sender_fault, "query_code": query_code,
        "default_message": default_message, "__doc__": doc, "__module__": __name__, "__qualname__": name,
    }
    return type(name, (base,), attributes)
