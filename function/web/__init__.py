"""The function's HTTP side: function/web/app.py (the app, the route table, the one error renderer),
predict.py and v2.py (decode -> the model plane -> encode), forms.py, health.py, page.py, openapi.py
(generated from function/contract.py), cors.py, server.py (the hardened uvicorn protocol)."""
