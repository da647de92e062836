"""`python -m deploy.package [STAGE]`: the stage's Lambda package in dist/, with its size against Lambda's limits.

It is what `zappa deploy/update STAGE` builds and uploads (same settings, same packager);
`zappa update STAGE --zip dist/shop-STAGE.zip` uploads this very file (docs/deploy.md, "Updating a stage").
"""

import sys

from deploy.local_lambda import (
    LAMBDA_UNZIPPED_LIMIT,
    LAMBDA_ZIP_LIMIT,
    ROOT,
    build_package,
    stage_settings,
    unzipped_size,
)

MB = 1024 * 1024


def main(stage="dev"):
    settings = stage_settings(stage)
    output = ROOT / "dist" / f"{settings['project_name']}-{stage}.zip"
    output.parent.mkdir(exist_ok=True)
    package = build_package(stage, output)
    zipped, unzipped = package.stat().st_size, unzipped_size(package)
    print(
        f"{package.relative_to(ROOT)}: {zipped / MB:.1f} MB zipped (limit {LAMBDA_ZIP_LIMIT / MB:.0f}), "
        f"{unzipped / MB:.1f} MB unzipped (limit {LAMBDA_UNZIPPED_LIMIT / MB:.0f})"
    )
    if zipped > LAMBDA_ZIP_LIMIT or unzipped > LAMBDA_UNZIPPED_LIMIT:
        sys.exit("The package is too large for a direct Lambda upload.")


if __name__ == "__main__":
    main(*sys.argv[1:2])
