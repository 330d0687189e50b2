"""Reading an admin change list's HTML in tests: its column headers as text, and its table body."""

import re


def headers(html):
    head = html[html.index('id="result_list"') :]
    head = head[: head.index("</thead>")]
    return [re.sub(r"<[^>]+>", "", th).strip() for th in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]


def body(html):
    return html[html.index("<tbody>") : html.index("</tbody>")]
