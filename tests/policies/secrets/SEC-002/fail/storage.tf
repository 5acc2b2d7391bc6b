locals {
  blob = "DefaultEndpointsProtocol=https;AccountName=prodlogs;AccountKey=Eu3Bb1QiZ1Oha0TsYNb/1AKF6DKYa6aLBgL0iKOqd9Tq3tNxukdyrmi6A302+su9kFqrZj/+lblxAQ37tNlHiQ==;EndpointSuffix=core.windows.net" # expect: SEC-002
}
