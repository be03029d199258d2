"""The front desk's notifications: an email for each new request, a reminder for one that waits, a summary
each morning. A layer below the audiences: the callback view adds to the outbox, the queue reads the
"when to call" windows, and `flask --app bodymap notify run` sends.

- `schedule`: the clinic's hours and time zone, the windows, time counted while open
- `outbox`: notification rows, written in the same transaction as what they are about
- `messages`: what an email says (never a patient's details)
- `mailer`: SMTP through the standard library
- `reminders`: reminders and the morning summary, added as they fall due
- `worker`: the loop that sends, retries with backoff, and marks what it sent
- `heartbeat`: the worker's sign of life at each pass, which /metrics reads
"""
