"""Step 2 of the flow: the task graph of a mission (``dag``) and its drawings (``render``)."""
