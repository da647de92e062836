"""Just enough IAM policy evaluation to hold recorded AWS calls against deploy/iam/*.json.

Covers what our policies use: Allow/Deny, wildcards in actions and resources, the
${aws:PrincipalAccount} variable and StringLike conditions. An explicit Deny wins. It also knows
two things AWS does that moto does not model: S3 tells a caller that a key is missing only if it
may list the bucket, and API Gateway calls the function with the role's own rights. SES v2
sends are held against the from-address's identity.
"""

from email.utils import parseaddr
from fnmatch import fnmatchcase

# Operations whose IAM action has another name, and transaction parts by their action.
ACTION_OF_OPERATION = {
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    # "Multipart upload API and permissions" (S3 user guide): starting, uploading a part and
    # completing all need s3:PutObject on the object.
    ("s3", "CreateMultipartUpload"): "s3:PutObject",
    ("s3", "UploadPart"): "s3:PutObject",
    ("s3", "CompleteMultipartUpload"): "s3:PutObject",
    ("s3", "AbortMultipartUpload"): "s3:AbortMultipartUpload",
    ("s3", "ListParts"): "s3:ListMultipartUploadParts",
    ("lambda", "Invoke"): "lambda:InvokeFunction",
}
MISSING_KEY_ERRORS = {"404", "NoSuchKey"}
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
            return [
                (ACTION_OF_TRANSACTION_PART[part], table(name), {})
                for item in call["items"]
                for part, name in item.items()
            ]
        if "tables" in call:
            return [(action, table(name), {}) for name in call["tables"]]
        resource = table(call["TableName"])
        if "IndexName" in call:
            resource += f"/index/{call['IndexName']}"
        return [(action, resource, {})]
    if service == "sesv2" and operation == "SendEmail":
        # SES authorizes a send against the verified identity it sends as: the from-address when
        # it is verified itself, else its domain ("Identity and access management in Amazon SES").
        # The policies grant both; the domain (verified with DKIM, docs/deploy.md) is the one checked here.
        domain = parseaddr(call["FromEmailAddress"])[1].rpartition("@")[2]
        return [("ses:SendEmail", f"arn:aws:ses:{region}:{account}:identity/{domain}", {})]
    if service == "secretsmanager":
        return [(action, secret_arns[call["SecretId"]], {})]
    if service == "s3":
        bucket = f"arn:aws:s3:::{call['Bucket']}"
        if action == "s3:ListBucket":
            return [(action, bucket, {"s3:prefix": call.get("Prefix", "")})]
        needed = [(action, f"{bucket}/{call.get('Key', '')}", {})]
        if action == "s3:GetObject" and call.get("error") in MISSING_KEY_ERRORS:
            # "If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP status code
            # 403 (Access Denied)" for a missing key (API_HeadObject.html, API_GetObject.html). moto
            # answers 404 regardless. A HEAD or GET carries no s3:prefix, so a ListBucket grant
            # conditioned on one does not count.
            needed.append(("s3:ListBucket", bucket, {}))
        return needed
    if service == "lambda":
        # A name, a partial or a full ARN, with or without a version (Invoke's FunctionName).
        name = call["FunctionName"].rsplit("function:", 1)[-1]
        qualifier = call.get("Qualifier")
        arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
        return [(action, f"{arn}:{qualifier}" if qualifier and ":" not in name else arn, {})]
    if service == "sns":
        # CreateTopic names the topic; the others give its ARN.
        topic = call.get("TopicArn") or f"arn:aws:sns:{region}:{account}:{call['Name']}"
        return [(action, topic, {})]
    if service == "cloudwatch":
        if operation in ("GetDashboard", "PutDashboard"):
            return [(action, f"arn:aws:cloudwatch::{account}:dashboard/{call['DashboardName']}", {})]
        alarm = f"arn:aws:cloudwatch:{region}:{account}:alarm:"
        if operation == "DescribeAlarms":
            # Only alarms the caller may describe are listed; a name prefix stands for them.
            return [(action, alarm + call.get("AlarmNamePrefix", "") + "*", {})]
        names = call.get("AlarmNames") or [call["AlarmName"]]
        return [(action, alarm + name, {}) for name in names]
    raise AssertionError(f"no IAM mapping for {service}:{operation}")


def permissions_api_gateway_needs(template):
    """(action, function ARN, {}) for each REST method of a `zappa template` that invokes through a role.

    An integration with `Credentials` makes API Gateway assume that role to call Lambda
    (PutIntegration's `credentials`, API Gateway API reference), and Zappa 0.63 sets it to the
    function's own role (zappa/core.py, create_and_setup_methods: `integration.Credentials =
    credentials`). So the role needs lambda:InvokeFunction on the function in the integration's URI.
    """
    needed = []
    for resource in template["Resources"].values():
        integration = resource.get("Properties", {}).get("Integration", {})
        if resource["Type"] == "AWS::ApiGateway::Method" and integration.get("Credentials"):
            function_arn = integration["Uri"].split("/functions/", 1)[1].removesuffix("/invocations")
            needed.append(("lambda:InvokeFunction", function_arn, {}))
    return needed


def is_allowed(policy, action, resource, context, *, account):
    matching = [
        statement for statement in policy["Statement"] if _matches(statement, action, resource, context, account)
    ]
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
