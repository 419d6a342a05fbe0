"""E-mail: what each message says (`messages`), how it is delivered (`backends`), and what
SendGrid later reports about it (`webhook`)."""
