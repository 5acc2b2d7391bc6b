#!/bin/sh
# nightly copy to the off-site bucket
export AWS_SECRET_ACCESS_KEY=575yx8xm5MslfY5ubiheyEd7P4zDL+ak6J0kGODK # expect: SEC-002
aws s3 sync /var/backups s3://offsite-backups
