"""HTML comments are scored as the text a reader sees; offsets map back."""

from perspective.html import strip_html


def test_tags_go_and_offsets_point_into_the_html() -> None:
    # given
    source = "<p>You are an <b>idiot</b> &amp; a liar</p>"
    # when
    stripped = strip_html(source)
    # then
    assert stripped.text.strip() == "You are an idiot & a liar"
    start = stripped.text.index("idiot")
    begin, end = stripped.source_range(start, start + len("idiot"))
    assert source[begin:end] == "idiot"
    amp = stripped.text.index("&")
    assert source[slice(*stripped.source_range(amp, amp + 1))] == "&amp;"


def test_scripts_and_comments_are_not_text() -> None:
    # when
    stripped = strip_html("hi<script>alert('x')</script><!-- hidden -->there<br>now")
    # then
    assert stripped.text == "hithere now"


def test_broken_markup_is_not_an_error() -> None:
    # when
    stripped = strip_html("a < b and <b unclosed")
    # then
    assert "a < b and" in stripped.text
