"""`python -m export.adapt`: fit a base artifact to one mailbox's labelled sample (issue 22).

sample.py reads and checks the sample, head.py refits the fast model's linear head toward the base,
threshold.py picks the threshold for a false-alarm rate, choose.py measures the candidates,
artifact.py writes the new artifact and report.py its report.
"""
