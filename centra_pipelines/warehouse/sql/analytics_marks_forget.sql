-- A full rebuild of {consumer}: with no marks, every source row counts as changed.
DELETE FROM {analytics_marks} WHERE consumer = '{consumer}'
