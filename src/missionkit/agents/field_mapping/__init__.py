"""The ``field-mapping`` agent: map source columns to a target model, with confidences."""
