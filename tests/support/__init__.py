"""Helpers shared by tests (and bench scripts): fakes, loopback servers, synthetic data.

Test modules import from here, never from one another.
"""
