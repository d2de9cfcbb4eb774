"""What an attachment may be: its bytes decide, and the name must agree."""

from __future__ import annotations

import pytest

from hub.core.actors import Refused
from hub.messages.rules import (
    ATTACHMENT_BYTES,
    JPEG,
    PDF,
    PNG,
    check_attachment,
    check_message,
    clean_file_name,
)


def test_the_first_bytes_decide_the_type_of_an_attachment() -> None:
    assert check_attachment("verslag.pdf", 100, b"%PDF-1.7\n") == PDF
    assert check_attachment("foto.JPG", 100, b"\xff\xd8\xff\xe0") == JPEG
    assert check_attachment("tekening.png", 100, b"\x89PNG\r\n\x1a\n\0") == PNG


@pytest.mark.parametrize(
    ("name", "head", "words"),
    [
        ("virus.exe", b"MZ\x90\0", "geen PDF, JPEG of PNG"),
        ("verslag.pdf", b"\x89PNG\r\n\x1a\n", "juiste extensie"),
        ("foto.png", b"<html><script>", "geen PDF, JPEG of PNG"),
        ("leeg.pdf", b"", "leeg"),
    ],
)
def test_an_attachment_that_is_not_what_it_says_is_refused_in_dutch(
    name: str, head: bytes, words: str
) -> None:
    with pytest.raises(Refused, match=words):
        check_attachment(name, len(head), head)


def test_an_attachment_over_the_size_limit_is_refused() -> None:
    with pytest.raises(Refused, match="te groot"):
        check_attachment("groot.pdf", ATTACHMENT_BYTES + 1, b"%PDF-1.4")


def test_a_file_name_loses_folders_and_control_characters() -> None:
    assert clean_file_name("C:\\Users\\x\\brief.pdf") == "brief.pdf"
    assert clean_file_name("../../etc/passwd\n.pdf") == "passwd.pdf"
    assert clean_file_name('"<b>.pdf') == "b.pdf"
    assert len(clean_file_name("a" * 500 + ".pdf")) <= 120 and clean_file_name("a" * 500 + ".pdf").endswith(
        ".pdf"
    )


def test_a_message_needs_a_subject_and_some_content() -> None:
    with pytest.raises(Refused, match="onderwerp"):
        check_message("  ", "hallo", 0)
    with pytest.raises(Refused, match="leeg"):
        check_message(None, "   ", 0)
    check_message(None, "", 1)  # a file alone is a message
