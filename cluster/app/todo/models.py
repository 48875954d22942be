from django.db import models


class List(models.Model):
    # Unique on purpose: the same title written on both masters during a split is a real
    # replication conflict (error 1062) that the drills must detect.
    title = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def as_json(self):
        return {"id": self.id, "title": self.title}


class Item(models.Model):
    list = models.ForeignKey(List, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(max_length=500)
    # What a to-do app has: an item is done or not, and its text can be edited (PATCH /api/items/<id>).
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def as_json(self):
        return {"id": self.id, "list_id": self.list_id, "text": self.text, "done": self.done}
