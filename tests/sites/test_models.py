"""A site's origins and hosts are checked exactly as written."""

import pytest
from django.core.exceptions import ValidationError

from sites.models import Site, validate_hosts, validate_origins


@pytest.mark.parametrize(
    "origin",
    ["www.example.org", "https://example.org/news", "ftp://example.org", "https://"],
)
def test_an_origin_must_be_scheme_host_and_port_only(origin: str) -> None:
    with pytest.raises(ValidationError, match="is not an origin"):
        validate_origins(origin)


def test_hosts_are_host_names_alone() -> None:
    validate_hosts("www.example.org\nexample.org")
    with pytest.raises(ValidationError, match="is not a host name"):
        validate_hosts("https://www.example.org")


def test_origins_match_exactly() -> None:
    """Another port, scheme or a subdomain is another origin."""
    site = Site(allowed_origins="https://www.example.org\nhttp://localhost:8001")
    assert site.allows_origin("https://www.example.org")
    assert site.allows_origin("http://localhost:8001")
    for other in (
        "http://www.example.org",
        "https://www.example.org:8443",
        "https://evil.www.example.org",
        "http://localhost:8002",
        "null",
        "",
    ):
        assert not site.allows_origin(other), other


def test_story_urls_must_use_the_sites_hosts() -> None:
    site = Site(story_hosts="www.example.org")
    assert site.allows_url("https://www.example.org/news/1")
    assert not site.allows_url("https://www.example.org.evil.example/news/1")
    assert not site.allows_url("javascript:alert(1)")
