"""Every query-planner technique of the Q&A app, behind plain functions; domain code calls only those.

- archive: the public archive's full-text search (walk or GIN, qa_search_terms, ranking the newest candidates)
  and similar-question suggestions;
- counts: counts capped at 1,000 and the planner's estimate beyond (EXPLAIN), for the archive and the staff queue;
- staff: the staff queue's one-statement capped tab counts and its walk-or-trigram text search counts;
- rows: raw SQL that builds model instances (a submission's agency and topic in one query);
- planner: the extended statistics the planner is given (and re-given when qa.status_schema rebuilds a column).

Each module names the benchmark figure that justifies it (bench/results/ newest .md, docs/performance.md).
The benchmarks (bench/) and tests/bench/test_search_at_scale.py depend on these techniques: keep them.
"""
