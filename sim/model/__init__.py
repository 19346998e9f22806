"""The model: one day per step, five factions acting on numpy arrays over the theatre's towns.

- ``model``: ``CeasefireModel`` (Mesa ``Model``): the state over towns, the day's order, the reporters.
- ``factions``: the five factions (Mesa ``Agent``\\s), one class each, one method per rule.
- ``combat``: stochastic Lanchester attrition on every assaulted town at once.
- ``ceasefire``: truces and agreements as a state machine, and every rule about them.
- ``civilians``: flight from assault, bombing and capture.
- ``towns``: rules over the town arrays that no faction owns (the front, encirclement of posts).
- ``events``: the scenario's dated events, as objects the model schedules.
"""
