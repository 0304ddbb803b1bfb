"""Per page, the maths it explains (no streamlit): trainers on TimedRun, results and the sentences true of them."""
