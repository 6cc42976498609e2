"""The job that publishes a big change's events (news/push/): an import touching hundreds of lists."""
from django_tasks import task

from news import push


@task()
def publish_later(names, posts):
    push.publish(push.lists_of(names), posts)
