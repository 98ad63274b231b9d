"""What the operator runs the bot with: the metrics and health endpoint (:mod:`.server`,
:mod:`.prometheus`), ``matchbot doctor`` (:mod:`.doctor`) and JSON logs (:mod:`.logs`)."""
