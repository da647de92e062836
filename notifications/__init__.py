"""E-mails to shoppers and alerts to staff: an outbox in DynamoDB, sent once through Amazon SES."""
