"""Output folders: atomic writing, the run folder and the HTML report."""
