import socket

from celery import shared_task
from django.db import connection


@shared_task(acks_late=False)
def worker_ping() -> str:
    """Proves a worker is consuming and can reach the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return f"pong from {socket.gethostname()}"
