"""Exporting a recorded session: tables (CSV, Parquet), EDF+/BDF signals, and a report (HTML, PDF)."""
