"""A browser's user-agent string as a person recognises it: "Chrome · Linux" (the full
string stays available as a tooltip and in the CSV export)."""
import re

BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("Chromium/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("Windows", "Windows"), ("iPhone", "iOS"), ("iPad", "iOS"), ("Android", "Android"),
           ("Mac OS X", "macOS"), ("Linux", "Linux"))


def device_label(user_agent: str) -> str:
    """Browser and system named in a user agent, or the first word of it when unknown."""
    agent = user_agent or ""
    browser = next((name for marker, name in BROWSERS if marker in agent), "")
    system = next((name for marker, name in SYSTEMS if marker in agent), "")
    if browser or system:
        return " · ".join(filter(None, (browser, system)))
    return re.split(r"[\s/;(]", agent, maxsplit=1)[0][:40]
