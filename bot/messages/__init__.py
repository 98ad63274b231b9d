"""Every text the bot sends is built here: neutral messages (``model``) and what they say
(``templates``). How each platform writes them is its adapter's (``adapters/*/render.py``)."""
