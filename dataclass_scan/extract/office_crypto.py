"""Password-protected Office files (OOXML inside an encrypted OLE container, and legacy
RC4/XOR-encrypted .xls/.doc/.ppt): tried with each candidate password from
`--password-file` (msoffcrypto-tool); the decrypted package is read by the extractor of
its own format, with locations on this file. A file that stays locked is `encrypted`."""

from __future__ import annotations

import io
from collections.abc import Iterator

from dataclass_scan.errors import EncryptedError
from dataclass_scan.extract import ExtractContext, get_extractor
from dataclass_scan.model import Item, Segment

# Office uses this password when a file is "encrypted" only to stop editing.
_DEFAULT_PASSWORD = "VelvetSweatshop"


def decrypt(data: bytes, passwords: tuple[str, ...]) -> bytes | None:
    """The decrypted bytes, or None when no candidate opens the file."""
    import msoffcrypto

    for password in (_DEFAULT_PASSWORD, *passwords):
        try:
            office = msoffcrypto.OfficeFile(io.BytesIO(data))
            if not office.is_encrypted():
                return None
            office.load_key(password=password, verify_password=True)
            out = io.BytesIO()
            office.decrypt(out)
        except Exception:  # noqa: BLE001, S112 - wrong password or unsupported scheme
            continue
        return out.getvalue()
    return None


def extract(item: Item, ctx: ExtractContext) -> Iterator[Segment | Item]:
    from dataclass_scan.extract.sniff import sniff

    with item.open() as fh:
        data = fh.read()
    plain = decrypt(data, ctx.passwords)
    if plain is None:
        raise EncryptedError("password-protected Office file: no password opened it")
    inner = Item(path=item.path, size=len(plain), data=plain, source=item.source)
    fmt = sniff(inner, plain[:8192])
    if fmt == "office-encrypted":
        raise EncryptedError("password-protected Office file: decryption gave no document")
    ctx.metadata["decrypted"] = True
    yield from get_extractor(fmt)(inner, ctx)
