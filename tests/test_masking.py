from dataclass_scan.detect.masking import excerpt, mask_value


def test_mask_keeps_separators_and_last_four():
    assert mask_value("536-22-8145", "US_SSN") == "***-**-8145"
    assert mask_value("4539 1488 0343 6467", "CREDIT_CARD") == "**** **** **** 6467"


def test_mask_email_keeps_first_letter_and_domain():
    assert mask_value("jane.doe@acme-corp.com", "EMAIL") == "j*******@acme-corp.com"


def test_short_values_and_keys_fully_masked():
    assert mask_value("1234567", "X") == "*******"
    assert "BEGIN" not in mask_value("-----BEGIN PRIVATE KEY-----", "PRIVATE_KEY")


def test_markings_are_not_masked():
    assert mask_value("CONFIDENTIAL", "MARKING") == "CONFIDENTIAL"


def test_excerpt_masks_neighbouring_values():
    text = "ssn 536-22-8145 card 4539148803436467 end"
    spans = [(4, 15, "US_SSN"), (21, 37, "CREDIT_CARD")]
    out = excerpt(text, 4, 15, spans, width=40)
    assert "536-22-8145" not in out and "4539148803436467" not in out
    assert "***-**-8145" in out and "************6467" in out


def test_excerpt_show_values():
    text = "ssn 536-22-8145"
    assert "536-22-8145" in excerpt(text, 4, 15, [(4, 15, "US_SSN")], show_values=True)


def _mask_reference(value: str, entity_type: str = "") -> str:
    """The original definition, one character at a time."""
    if entity_type == "MARKING":
        return value
    if entity_type == "EMAIL" and "@" in value:
        local, _, domain = value.partition("@")
        return (local[:1] + "*" * max(len(local) - 1, 2)) + "@" + domain
    alnum = [i for i, ch in enumerate(value) if ch.isalnum()]
    keep = set() if entity_type in ("PRIVATE_KEY", "PASSWORD") or len(alnum) < 8 \
        else set(alnum[-4:])
    return "".join(ch if (not ch.isalnum() or i in keep) else "*"
                   for i, ch in enumerate(value))


def test_mask_value_equals_the_character_by_character_definition():
    import random
    import string

    rng = random.Random(5)
    alphabet = string.printable + "éßİ٣²½ⅷ*—\u3000"
    for _ in range(20_000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        for etype in ("", "US_SSN", "PASSWORD", "PRIVATE_KEY", "EMAIL", "MARKING"):
            assert mask_value(value, etype) == _mask_reference(value, etype), (value, etype)
