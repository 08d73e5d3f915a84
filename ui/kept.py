"""What a visitor types into a page's inputs, kept while they visit other pages.

Streamlit forgets the state of every widget a run does not draw, so a page's inputs would be back at
their defaults after a visit to another page. Here each value is also copied to a session key of its
own (not a widget's, so Streamlit keeps it), and the widget is drawn with it as its default:

    count = kept.keep("seeds_count", st.number_input("Seeds", 1, 256, kept.value("seeds_count", 64),
                                                     key="seeds_count"))

A data editor is kept the same way, as the frame its edits made (see editor_base).
"""

import streamlit as st

PREFIX = "kept_"


def value(key, default):
    """The value widget `key` had when last drawn in this session, else default."""
    return st.session_state.get(PREFIX + key, default)


def index(key, options, default=0):
    """The position in `options` of the value widget `key` last had, else default (also when it is gone)."""
    options = list(options)
    last = st.session_state.get(PREFIX + key)
    return options.index(last) if last is not None and last in options else default


def keep(key, current):
    """Remember `current` as widget `key`'s value, for its next drawing after a visit elsewhere; returns it."""
    st.session_state[PREFIX + key] = current
    return current


def editor_base(name, version, starting):
    """(widget key, frame) for a data editor `name` whose rows belong to `version` of what it edits.

    The frame is what was typed into it last for this version (keep_edits), or `starting`. It stays the
    same object while the editor's state lives: the editor keeps its edits relative to the frame it was
    first given, and a frame with other rows would be another widget. A new version starts afresh.
    """
    key, base_key = f"{name}_{version}", f"{PREFIX}{name}_base"
    base = st.session_state.get(base_key)
    if key not in st.session_state or base is None or base[0] != version:  # a first visit, a return, a new version
        edits = st.session_state.get(PREFIX + name)
        base = (version, edits[1] if edits is not None and edits[0] == version else starting)
        st.session_state[base_key] = base
    return key, base[1]


def keep_edits(name, version, frame):
    """Remember the frame data editor `name` shows for `version`, as editor_base gives it back; returns it."""
    st.session_state[PREFIX + name] = (version, frame)
    return frame
