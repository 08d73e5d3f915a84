"""Streamlit-facing helpers: session state, table handling and figure builders."""
