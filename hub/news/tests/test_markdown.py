"""Information pages and news: Markdown in, only safe HTML out."""

from __future__ import annotations

from hub.news.markdown import to_html


def test_markdown_gives_headings_lists_links_and_tables() -> None:
    html = to_html(
        "# Huisregels\n\n- **Breng** reservekleren mee\n- *Geen* juwelen\n\n[Menu](https://x.example/menu)"
    )
    assert "<h2>Huisregels</h2>" in html and "<strong>Breng</strong>" in html and "<em>Geen</em>" in html
    assert '<a href="https://x.example/menu" rel="noopener noreferrer nofollow">Menu</a>' in html
    assert "<table>" in to_html("| dag | menu |\n|---|---|\n| ma | soep |")


def test_html_and_scripts_in_a_page_do_not_reach_the_parents_browser() -> None:
    html = to_html(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[klik](javascript:alert(1))\n\n"
        '<a href="https://x" onclick="alert(1)">x</a>'
    )
    assert "<script" not in html and "<img" not in html and "<a " not in html  # shown as text, not run
    assert "&lt;script&gt;" in html and 'href="javascript' not in html
