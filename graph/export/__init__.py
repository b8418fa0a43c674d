"""Exporters: each module renders a graph to bytes (``render(G) -> bytes``); the CLI writes them.

html (interactive offline page), graphml, gexf, nodelink (JSON), tables (CSV for spreadsheets and
neo4j-admin). Exporters read the graph only; they never load YAML.
"""
