"""The staff survey: a cycle's survey settings and anonymous links (`settings`), answering it
(`responding`), importing another tool's results (`importing`), how many have answered
(`counts`), and staff agreement set against each agency's self-rating (`triangulation`)."""
