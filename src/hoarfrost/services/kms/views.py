"""KMS's typed state view: one account/region's keys (with every generation of their key
material, their grants and pending imports) and aliases.

Key material is in the view, base64 in JSON, so a restored emulator decrypts what the old one
encrypted; the JSON Schema marks those fields ``"sensitive": true`` (a view is as secret as
the keys it holds). Each resource's view is derived from its record in ``state.py``.

Keys are keyed by ``key_id`` (the ARN follows from the scope), their material by
``material_id``, grants by ``grant_id``, import parameters by ``token_id``, aliases by
``name``. A key may appear once.

Merge rule: a key whose id exists takes the view's fields, and its material, grants and
import parameters merge by their keys (material is never removed, so ciphertexts stay
decryptable, and the current material stays one the key has); aliases merge by name. Nothing
is removed. An alias may name a key the view
does not hold (a partial view for merge); it then resolves to NotFound until that key exists.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from hoarfrost.core.kit.policies import PolicyError, parse_policy
from hoarfrost.core.kit.records import RecordView, merge_keyed, record_view
from hoarfrost.core.views import StateView, StateViewError
from hoarfrost.services.kms import crypto, specs
from hoarfrost.services.kms.state import Alias, Grant, ImportParameters, Key, KeyMaterial, KmsBackend

SENSITIVE: dict[str, Any] = {"sensitive": True}
KEY_STATES = ("Enabled", "Disabled", "PendingDeletion", "PendingImport", "PendingReplicaDeletion")


@record_view(KeyMaterial, key="material_id")
class KeyMaterialView(RecordView):
    """One generation of a key's material: 32 bytes for a symmetric key, the HMAC key, or a
    PKCS #8 DER private key."""

    material: bytes = Field(description="the key material (base64 in JSON)", json_schema_extra=SENSITIVE)


@record_view(Grant, key="grant_id")
class GrantView(RecordView):
    """A grant on its key; ``token`` is the grant token CreateGrant answered."""

    token: str = Field(json_schema_extra=SENSITIVE)


@record_view(ImportParameters, key="token_id")
class ImportParametersView(RecordView):
    """A wrapping key GetParametersForImport handed out, usable until ``valid_to``."""

    wrapping_material: bytes = Field(description="the wrapping private key, PKCS #8 DER",
                                     json_schema_extra=SENSITIVE)


@record_view(Key, key="key_id")
class KeyView(RecordView):
    """One KMS key: its spec, usage, state, policy, tags, material generations, rotation
    schedule, multi-Region copies, grants and pending imports."""


@record_view(Alias, key="name")
class AliasView(RecordView):
    """An alias ('alias/<name>') and the id of the key it names."""


class KmsStateView(StateView):
    """KMS state of one account/region (keys and merge: see ``hoarfrost.services.kms.views``)."""

    keys: list[KeyView] = Field(default_factory=list)
    aliases: list[AliasView] = Field(default_factory=list)


def to_view(backend: KmsBackend) -> KmsStateView:
    return KmsStateView(keys=[KeyView.of(key) for key in backend.keys.values()],
                        aliases=[AliasView.of(alias) for alias in backend.aliases.values()])


def _invalid(message: str) -> StateViewError:
    return StateViewError("invalid", f"kms: {message}")


def _unique(kind: str, keys: list[str]) -> None:
    if len(keys) != len(set(keys)):
        duplicate = next(key for key in keys if keys.count(key) > 1)
        raise _invalid(f"{kind} {duplicate!r} appears twice")


def _check_key(view: KeyView) -> None:
    where = f"key {view.key_id!r}"
    spec = specs.SPECS.get(view.key_spec)
    if spec is None or not spec.supported:
        raise _invalid(f"{where}: key spec {view.key_spec!r} is not one hoarfrost supports")
    if view.key_usage not in spec.usages:
        raise _invalid(f"{where}: key usage {view.key_usage!r} is not valid for {view.key_spec}")
    if view.key_state not in KEY_STATES:
        raise _invalid(f"{where}: key state {view.key_state!r} is not one of {', '.join(KEY_STATES)}")
    _unique(f"{where}: material", [material.material_id for material in view.materials])
    for material in view.materials:
        try:
            crypto.check_imported(view.key_spec, material.material)
        except crypto.CryptoError as exc:
            raise _invalid(f"{where}: material {material.material_id!r}: {exc.message}") from None
    # A partial view (for merge) may leave the materials out; when it has them, the current
    # one must be among them.
    if view.materials and view.current_material not in {m.material_id for m in view.materials}:
        raise _invalid(f"{where}: current_material {view.current_material!r} is not among its materials")
    if view.policy:
        try:
            parse_policy(view.policy)
        except PolicyError as exc:
            raise _invalid(f"{where}: policy: {exc.message}") from None


def from_view(view: KmsStateView, account: str, region: str) -> KmsBackend:
    _unique("key", [key.key_id for key in view.keys])
    _unique("alias", [alias.name for alias in view.aliases])
    backend = KmsBackend(account=account, region=region)
    for key_view in view.keys:
        _check_key(key_view)
        key: Key = key_view.to_record()
        backend.keys[key.key_id] = key
    for alias_view in view.aliases:
        if not alias_view.name.startswith("alias/"):
            raise _invalid(f"alias {alias_view.name!r} must start with 'alias/'")
        backend.aliases[alias_view.name] = alias_view.to_record()
    backend.index()
    return backend


def _merge_key(target: Key, source: Key) -> None:
    """The record rule, but the current material stays one the key has (a partial view that
    leaves materials out must not leave the key without current material)."""
    current = target.current_material
    KeyView.merge(target, source)
    if target.current_material not in target.materials:
        target.current_material = current


def merge(target: KmsBackend, source: KmsBackend) -> None:
    merge_keyed(target.keys, source.keys, _merge_key)
    merge_keyed(target.aliases, source.aliases)
    target.index()
