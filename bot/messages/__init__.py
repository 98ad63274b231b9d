"""Every text the bot sends is built here: neutral messages (``model``), what they say
(``templates``), and how each output format writes them (``render``)."""
