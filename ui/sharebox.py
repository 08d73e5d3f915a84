"""The share box's link: the address bar itself, read in the browser, so it is right after every click.

Training clicks rerun only the live view, which keeps the address bar equal to the run
(ui.session.publish_link); a link drawn by the server would lag behind it until the next
full rerun. This tiny component shows the address as it is now, with what the teacher
chose to hide set in it, and copies it on request.
"""

import streamlit as st

_JS = """
export default function ({data, parentElement}) {
  let box = parentElement.querySelector(".share");
  if (!box) {
    box = document.createElement("div");
    box.className = "share";
    const link = document.createElement("code");
    link.dataset.role = "share-link";
    const copy = document.createElement("button");
    copy.type = "button";
    copy.textContent = "Copy link";
    copy.onclick = () => navigator.clipboard && navigator.clipboard.writeText(link.textContent).then(
      () => { copy.textContent = "Copied"; setTimeout(() => { copy.textContent = "Copy link"; }, 1500); });
    box.append(link, copy);
    parentElement.appendChild(box);
    box.show = () => {
      const url = new URL(window.location.href);
      if (box.dataset.hide) url.searchParams.set("hide", box.dataset.hide); else url.searchParams.delete("hide");
      if (link.textContent !== url.href) link.textContent = url.href;
    };
    const timer = setInterval(() => { if (!box.isConnected) clearInterval(timer); else box.show(); }, 300);
  }
  box.dataset.hide = data.hide;
  box.show();
}
"""

_CSS = """
.share { display: flex; flex-direction: column; gap: 8px; }
.share code { font: 13px/1.45 ui-monospace, monospace; white-space: pre-wrap; word-break: break-all;
  background: #f3f5f8; border-radius: 6px; padding: 8px 10px; color: #1f2430; }
.share button { align-self: flex-start; font: inherit; font-size: 15px; padding: 5px 14px; border-radius: 8px;
  border: 1px solid #c4cad6; background: #ffffff; color: #1f2430; cursor: pointer; }
.share button:hover { border-color: #c0392b; color: #c0392b; }
"""

_component = st.components.v2.component("backprop_share", html="<div></div>", css=_CSS, js=_JS)


def share_link(hidden):
    """The current address as a link to share, with `hidden` (names from ui.links.HIDEABLE) set in it."""
    _component(key="share_link", data={"hide": ",".join(hidden)})
