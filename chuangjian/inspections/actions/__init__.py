"""Every write of the inspections app: points, rounds, findings, rectification, 随手拍,
通报 and 问责. Each action is atomic, checks who acts, and writes its audit entry."""
