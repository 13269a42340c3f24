"""Challenge and captcha pages are recognised; real pages that mention 验证码 are not."""

from __future__ import annotations

from govcrawler.extraction.page_kind import CAPTCHA, CHALLENGE, EMPTY, rejection_reason
from tests.conftest import FIXTURES, shared_path


def test_real_ccdi_challenge_and_captcha_pages() -> None:
    other = shared_path("realpages", "ccdi", "other")
    assert rejection_reason((other / "antibot_challenge.html").read_text("utf-8")) == CHALLENGE
    assert (
        rejection_reason((other / "captcha_slider_seccaptcha.html").read_text("utf-8")) == CAPTCHA
    )


def test_real_ccdi_articles_are_not_rejected() -> None:
    for page in sorted(shared_path("realpages", "ccdi", "articles").glob("*.html")):
        assert rejection_reason(page.read_text("utf-8")) is None, page.name


def test_jiasule_and_location_stubs() -> None:
    assert (
        rejection_reason(
            "<script>document.cookie='__jsl_clearance=1.2|0|abc';location.href=location.pathname</script>"
        )
        == CHALLENGE
    )
    stub = '<html><script language="javascript">self.location="/gzdt/jlsc/index.html?x=1";</script></html>'
    assert rejection_reason(stub) == CHALLENGE


def test_captcha_prompt_as_the_main_content() -> None:
    page = "<html><body><form><p>請輸入驗證碼</p><input name='code'><img src='/code.jpg'></form></body></html>"
    assert rejection_reason(page) == CAPTCHA


def test_article_page_with_a_captcha_in_its_comment_form_is_not_a_captcha_page() -> None:
    page = (FIXTURES / "anhui" / "article_61207_hant.html").read_text("utf-8")
    assert "請輸入驗證碼" in page
    assert rejection_reason(page) is None


def test_blank_page_is_empty() -> None:
    assert rejection_reason("<html><body>  </body></html>") == EMPTY
