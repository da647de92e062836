"""Tests of payments/services/, one module each."""
