"""Assay from a notebook: every assessment an API key may read, a page at a time, as rows;
then the same per-skill figures computed by the server in one grouped call.

Reads ASSAY_URL (default http://localhost:4000/graphql) and ASSAY_API_KEY (an API key with
the `read` scope, e.g. a teacher's) from the environment, follows the cursors until the last
page, and prints one line per skill: how many assessments, the mean score and confidence.
With pandas installed it also builds a DataFrame (`frame`) for further work. Then it asks
for assessmentStats grouped by SKILL (COUNT, AVG_SCORE): with pandas as a DataFrame read
from the CSV endpoint (/stats/assessments.csv), otherwise through GraphQL. Standard library
only without pandas; runs as a script or cell by cell.
"""

import json
import os
import sys
import urllib.error
import urllib.request
from collections import defaultdict

URL = os.environ.get("ASSAY_URL", "http://localhost:4000/graphql")
API_KEY = os.environ.get("ASSAY_API_KEY")
PAGE_SIZE = 100

PAGE = """
query NotebookAssessments($first: Int!, $after: String) {
  assessments(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id createdAt skillType score confidence modelName student { id username } } }
  }
}
"""


def graphql(query, variables):
    """POSTs one operation; returns its data, or raises with the server's error codes."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(
        URL,
        data=body,
        headers={"content-type": "application/json", "accept": "application/json", "x-api-key": API_KEY},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as error:
        answer = json.load(error)
    if answer.get("errors"):
        problems = "; ".join(f"{e.get('extensions', {}).get('code', '?')}: {e['message']}" for e in answer["errors"])
        raise RuntimeError(f"Assay refused the query: {problems}")
    return answer["data"]


SKILL_STATS = """
query NotebookSkillStats {
  assessmentStats(groupBy: [SKILL], metrics: [COUNT, AVG_SCORE]) {
    truncated
    rows { key { skill } values { count avgScore } }
  }
}
"""

# The CSV endpoint answers the same operation for the same key: /stats/assessments.csv beside /graphql.
STATS_CSV = URL.rsplit("/graphql", 1)[0] + "/stats/assessments.csv"


def skill_stats_frame(pandas):
    """assessmentStats grouped by SKILL as a DataFrame (columns skill, count, avg_score), from the CSV endpoint."""
    # round_trip: the floats read back exactly as the server wrote them.
    return pandas.read_csv(
        f"{STATS_CSV}?groupBy=SKILL&metrics=COUNT,AVG_SCORE",
        storage_options={"X-API-Key": API_KEY},
        float_precision="round_trip",
    )


def skill_stats():
    """assessmentStats grouped by SKILL through GraphQL, as (skill, count, mean score) tuples."""
    stats = graphql(SKILL_STATS, {})["assessmentStats"]
    return [(row["key"]["skill"], row["values"]["count"], row["values"]["avgScore"]) for row in stats["rows"]]


def assessment_rows():
    """Every assessment the key may read, oldest page first, as flat dicts."""
    rows, after = [], None
    while True:
        page = graphql(PAGE, {"first": PAGE_SIZE, "after": after})["assessments"]
        for edge in page["edges"]:
            node = edge["node"]
            rows.append({
                "id": node["id"],
                "created_at": node["createdAt"],
                "skill": node["skillType"],
                "score": node["score"],
                "confidence": node["confidence"],
                "model": node["modelName"],
                "student_id": node["student"]["id"],
                "student": node["student"]["username"],
            })
        if not page["pageInfo"]["hasNextPage"]:
            return rows, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


def per_skill(rows):
    """(skill, count, mean score, mean confidence), by skill name."""
    groups = defaultdict(list)
    for row in rows:
        groups[row["skill"]].append(row)
    return [
        (skill, len(group), sum(r["score"] for r in group) / len(group), sum(r["confidence"] for r in group) / len(group))
        for skill, group in sorted(groups.items())
    ]


if __name__ == "__main__":
    if not API_KEY:
        sys.exit("Set ASSAY_API_KEY to an API key with the read scope (createApiKey).")
    rows, total = assessment_rows()
    print(f"{len(rows)} assessments read of {total}")
    for skill, count, score, confidence in per_skill(rows):
        print(f"{skill:<16} {count:>6}  mean score {score:.4f}  mean confidence {confidence:.4f}")
    try:
        import pandas
    except ImportError:
        pandas = None
    if pandas is not None:
        frame = pandas.DataFrame(rows)
        print(f"DataFrame: {frame.shape[0]} rows x {frame.shape[1]} columns")
        stats = skill_stats_frame(pandas)
        print("Grouped by the server (assessmentStats, CSV endpoint):")
        grouped = stats.itertuples(index=False)
    else:
        print("Grouped by the server (assessmentStats, GraphQL):")
        grouped = skill_stats()
    for skill, count, score in grouped:
        print(f"{skill:<16} {count:>6}  mean score {score:.6f}")
