import requests

print(requests.get("http://localhost:8080/health").status_code)
