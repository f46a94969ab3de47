import pytest

from articles.text import clean_body, render_body
from core.errors import InvalidInput


def test_body_is_trimmed_and_newlines_normalised() -> None:
    """Surrounding whitespace goes; Windows newlines become plain newlines."""
    assert clean_body("  hello\r\nworld  ") == "hello\nworld"


@pytest.mark.parametrize("body", ["", "   ", "\n\n\t "])
def test_empty_or_whitespace_body_is_refused(body: str) -> None:
    """An empty comment is refused with a message saying so."""
    with pytest.raises(InvalidInput, match="Your comment is empty"):
        clean_body(body)


@pytest.mark.parametrize("body", ["bad\x00byte", "bell\x07", "esc\x1b[31m", "\ud800"])
def test_control_characters_are_refused(body: str) -> None:
    """NUL, other control characters and lone surrogates are refused, not stored."""
    with pytest.raises(InvalidInput, match="control characters"):
        clean_body(body)


def test_body_over_the_limit_says_by_how_much() -> None:
    """A body over 5,000 characters is refused with its length and the limit."""
    with pytest.raises(
        InvalidInput, match=r"5,001 characters long; the limit is 5,000"
    ):
        clean_body("x" * 5001)


def test_body_at_the_limit_is_accepted() -> None:
    """Exactly 5,000 characters is allowed."""
    assert len(clean_body("x" * 5000)) == 5000


def test_html_is_escaped_never_rendered() -> None:
    """Markup a reader types is shown as text."""
    html = render_body('<script>alert("x")</script> <b>bold</b>')
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b>" not in html


def test_paragraphs_and_line_breaks_are_kept() -> None:
    """Blank lines separate paragraphs; single newlines become line breaks."""
    html = render_body("first line\nsecond line\n\nnew paragraph")
    assert html == "<p>first line<br>second line</p><p>new paragraph</p>"


def test_urls_become_nofollow_links() -> None:
    """URLs become rel="nofollow ugc noopener" links, trailing dots left out."""
    html = render_body("See https://example.org/a?b=1&c=2.")
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
        in html
    )
    assert html.endswith("</a>.</p>")


def test_javascript_urls_are_not_linked() -> None:
    """Only http and https become links."""
    html = render_body('javascript:alert(1) "onmouseover=x"')
    assert "<a" not in html
    assert "&quot;onmouseover=x&quot;" in html


def test_quotes_in_urls_cannot_break_out_of_the_attribute() -> None:
    """A URL cannot inject attributes into the link."""
    html = render_body('https://example.org/"onmouseover="alert(1)')
    assert 'onmouseover="' not in html
