"""What "try again later" means: the one list of errors after which nothing was lost and the same
work can simply be done again (the webhook answers 503, reconciliation and the outbox move on).
"""

from botocore.exceptions import BotoCoreError
from pynamodb.exceptions import PynamoDBException

from config.deadline import DeadlineExceeded
from config.dynamodb import ConcurrentUpdateConflict

# Always pass: the other writers finish, and the next try has a deadline of its own.
PASSING_ERRORS: tuple[type[Exception], ...] = (ConcurrentUpdateConflict, DeadlineExceeded)
# DynamoDB throttled or unreachable past botocore's retries. A few of these do not pass (a missing
# table): background work and the webhook try again anyway, the shop's pages tell them apart
# (config/busy.py) so that a broken deployment shows as a 500.
STORAGE_ERRORS: tuple[type[Exception], ...] = (PynamoDBException, BotoCoreError)
RETRY_LATER_ERRORS = PASSING_ERRORS + STORAGE_ERRORS
