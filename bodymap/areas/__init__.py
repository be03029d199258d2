"""A patient's painful areas, the feature the public site, the widget, the callback form and the desk share.

- `area`: the `Area` value (a region and side, a 0-10 score, how it feels, how long), the words for each,
  turning posted or stored values back into an area, and the red flags of several areas read together.
- `forms`: the repeated `areas-N-*` fields both the pain list and the callback form post.
- `pain_list`: the pain list's rules: read the posted list, apply an action, draw it again.

It stands on the content, data and web layers and knows no audience: the public site and the widget pass in
the addresses their own list answers at.
"""
