"""Just enough IAM policy evaluation to hold recorded AWS calls against deploy/iam/*.json.

Covers what our policies use: Allow/Deny, wildcards in actions and resources, the
${aws:PrincipalAccount} variable and StringLike conditions. An explicit Deny wins.
"""
from fnmatch import fnmatchcase

# Operations whose IAM action has another name, and transaction parts by their action.
ACTION_OF_OPERATION = {
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
}
ACTION_OF_TRANSACTION_PART = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Get": "dynamodb:GetItem",
}


def permissions_needed(call, *, region, account, secret_arns):
    """(action, resource ARN, condition context) triples one recorded call needs."""
    service, operation = call["service"], call["operation"]
    action = ACTION_OF_OPERATION.get((service, operation), f"{service}:{operation}")
    if service == "dynamodb":
        def table(name):
            return f"arn:aws:dynamodb:{region}:{account}:table/{name}"

        if "items" in call:
            return [(ACTION_OF_TRANSACTION_PART[part], table(name), {})
                    for item in call["items"] for part, name in item.items()]
        if "tables" in call:
            return [(action, table(name), {}) for name in call["tables"]]
        resource = table(call["TableName"])
        if "IndexName" in call:
            resource += f"/index/{call['IndexName']}"
        return [(action, resource, {})]
    if service == "secretsmanager":
        return [(action, secret_arns[call["SecretId"]], {})]
    if service == "s3":
        if action == "s3:ListBucket":
            return [(action, f"arn:aws:s3:::{call['Bucket']}", {"s3:prefix": call.get("Prefix", "")})]
        return [(action, f"arn:aws:s3:::{call['Bucket']}/{call.get('Key', '')}", {})]
    raise AssertionError(f"no IAM mapping for {service}:{operation}")


def is_allowed(policy, action, resource, context, *, account):
    matching = [statement for statement in policy["Statement"]
                if _matches(statement, action, resource, context, account)]
    if any(statement["Effect"] == "Deny" for statement in matching):
        return False
    return any(statement["Effect"] == "Allow" for statement in matching)


def _matches(statement, action, resource, context, account):
    actions = _as_list(statement["Action"])
    resources = [r.replace("${aws:PrincipalAccount}", account) for r in _as_list(statement["Resource"])]
    if not any(fnmatchcase(action.lower(), pattern.lower()) for pattern in actions):
        return False
    if not any(fnmatchcase(resource, pattern) for pattern in resources):
        return False
    for operator, conditions in statement.get("Condition", {}).items():
        assert operator == "StringLike", f"condition {operator} not supported here"
        for key, patterns in conditions.items():
            if key not in context or not any(fnmatchcase(context[key], p) for p in _as_list(patterns)):
                return False
    return True


def _as_list(value):
    return value if isinstance(value, list) else [value]
