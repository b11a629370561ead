"""The back office's workbench (后台分类审批): server-rendered pages for the departments'
reviewers, the hall's supervisors and the administrators, and the applicant's progress page.

``auth`` holds the sign-in, the session cookie and the CSRF check (and ``signed_in``, a FastAPI
dependency other pages of the back office can guard themselves with); ``routes`` the pages.
Plain HTML forms, no build step; every page works with the keyboard alone.
"""
from __future__ import annotations

from .routes import router

__all__ = ["router"]
