"""HashEdDSA over edwards25519 (Ed25519ph, RFC 8032 section 5.1), for KMS's
ED25519_PH_SHA_512 signing algorithm: the ``cryptography`` package signs only PureEdDSA.

Written from the RFC's definitions: extended twisted-Edwards coordinates, the complete
addition formula of section 5.1.4, and the dom2 prefix with phflag 1 and an empty context.
Slow next to OpenSSL (pure-Python scalar multiplication, a few milliseconds), and used only
for this one algorithm; PureEdDSA (ED25519_SHA_512) goes through ``cryptography``.
"""

from __future__ import annotations

import hashlib

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
DOM2 = b"SigEd25519 no Ed25519 collisions" + bytes([1, 0])  # phflag 1, empty context

Point = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z


def _add(one: Point, other: Point) -> Point:
    x1, y1, z1, t1 = one
    x2, y2, z2, t2 = other
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return e * f % P, g * h % P, f * g % P, e * h % P


def _multiply(scalar: int, point: Point) -> Point:
    result: Point = (0, 1, 1, 0)  # the neutral element
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _x_from_y(y: int, sign: int) -> int | None:
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P:
        return None
    return P - x if (x & 1) != sign else x


def _encode(point: Point) -> bytes:
    x, y, z, _ = point
    inverse = pow(z, P - 2, P)
    x, y = x * inverse % P, y * inverse % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _decode(data: bytes) -> Point | None:
    if len(data) != 32:
        return None
    value = int.from_bytes(data, "little")
    y, sign = value & ((1 << 255) - 1), value >> 255
    x = _x_from_y(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


_BY = 4 * pow(5, P - 2, P) % P
BASE: Point = (_x_from_y(_BY, 0) or 0, _BY, 1, (_x_from_y(_BY, 0) or 0) * _BY % P)


def _h(*parts: bytes) -> int:
    return int.from_bytes(hashlib.sha512(b"".join(parts)).digest(), "little")


def _secret(seed: bytes) -> tuple[int, bytes]:
    digest = hashlib.sha512(seed).digest()
    scalar = int.from_bytes(digest[:32], "little")
    scalar &= (1 << 254) - 8
    scalar |= 1 << 254
    return scalar, digest[32:]


def sign(seed: bytes, prehash: bytes) -> bytes:
    """The Ed25519ph signature of a message whose SHA-512 digest is ``prehash``."""
    scalar, prefix = _secret(seed)
    public = _encode(_multiply(scalar, BASE))
    r = _h(DOM2, prefix, prehash) % L
    encoded_r = _encode(_multiply(r, BASE))
    k = _h(DOM2, encoded_r, public, prehash) % L
    return encoded_r + ((r + k * scalar) % L).to_bytes(32, "little")


def verify(public: bytes, prehash: bytes, signature: bytes) -> bool:
    if len(signature) != 64:
        return False
    point_a, point_r = _decode(public), _decode(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if point_a is None or point_r is None or s >= L:
        return False
    k = _h(DOM2, signature[:32], public, prehash) % L
    return _encode(_multiply(s, BASE)) == _encode(_add(point_r, _multiply(k, point_a)))
